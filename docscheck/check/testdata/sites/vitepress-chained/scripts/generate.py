print("writes the reference pages")
