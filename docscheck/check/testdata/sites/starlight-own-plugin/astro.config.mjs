// Fixture: a Starlight site whose config runs a plugin of the repository's own.
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import stripMdExtension from './plugins/strip-md-extension.mjs';

export default defineConfig({ integrations: [starlight({ title: 'Fixture', plugins: [stripMdExtension()] })] });
