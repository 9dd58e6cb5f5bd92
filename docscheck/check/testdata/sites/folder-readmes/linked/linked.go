package linked
