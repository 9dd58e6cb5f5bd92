package repo

import (
	"slices"
	"testing"
)

// TestOwnPlugins: a module of the repository's own counts as a plugin of
// the site only when its config lists it among its plugins.
func TestOwnPlugins(t *testing.T) {
	config := []byte(`import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import config from './config';
import stripMd from './plugins/strip-md.mjs';
import includeMd from '../plugins/include.mjs';

export default defineConfig({
  site: config.url,
  markdown: { remarkPlugins: [remarkGfm, [includeMd, { base: '.' }]] },
  integrations: [starlight({ title: config.title, plugins: [stripMd()] })],
});
`)
	got := ownPlugins(config)
	want := []string{"plugin ./plugins/strip-md.mjs", "plugin ../plugins/include.mjs"}
	if !slices.Equal(got, want) {
		t.Errorf("ownPlugins = %q, want %q", got, want)
	}
}
