export default { extends: 'shared' }
