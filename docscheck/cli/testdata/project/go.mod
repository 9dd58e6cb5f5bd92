module github.com/prodproof/prodproof

go 1.26
