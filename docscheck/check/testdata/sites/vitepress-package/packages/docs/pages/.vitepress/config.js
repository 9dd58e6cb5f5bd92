export default {
  title: 'tool',
}
