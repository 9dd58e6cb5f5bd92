with open("options.csv", "w") as out:
    out.write("name,default\n")
