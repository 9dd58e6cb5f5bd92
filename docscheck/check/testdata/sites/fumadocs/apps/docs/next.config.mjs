export default {
  async redirects() {
    return [{ source: "/docs/:path*.md", destination: "/llms/:path*", permanent: false }]
  },
}
