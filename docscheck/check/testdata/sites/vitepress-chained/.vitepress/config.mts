export default {
  title: "Fixture",
}
