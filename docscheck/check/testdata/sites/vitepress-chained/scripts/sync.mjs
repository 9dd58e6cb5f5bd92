console.log("sync")
