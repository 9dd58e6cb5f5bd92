import { defineConfig } from '@rspress/core';

export default defineConfig({ root: 'docs', lang: 'en' });
