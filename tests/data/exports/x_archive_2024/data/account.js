window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "medsos@kemcontoh.example",
      "createdVia" : "web",
      "username" : "KemContoh",
      "accountId" : "900000042",
      "accountDisplayName" : "Kementerian Contoh"
    }
  }
]
