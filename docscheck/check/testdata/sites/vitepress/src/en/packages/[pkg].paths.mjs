export default {
  paths() {
    return [{ params: { pkg: 'core' } }, { params: { pkg: 'shared' } }]
  }
}
