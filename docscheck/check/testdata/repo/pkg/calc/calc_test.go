package calc

import "testing"

func TestAdd(t *testing.T)         {}
func TestAddNegative(t *testing.T) {}
func BenchmarkAdd(b *testing.B)    {}
func FuzzAdd(f *testing.F)         {}
func ExampleAdd()                  {}

type helper struct{}

func (helper) TestNotATest(t *testing.T) {}
