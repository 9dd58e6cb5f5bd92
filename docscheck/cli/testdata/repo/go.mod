module example.com/clifixture

go 1.26
