import { defineConfig, defineDocs } from "fumadocs-mdx/config"

export default defineConfig({})

export const docs = defineDocs({
  dir: "content/docs",
})
