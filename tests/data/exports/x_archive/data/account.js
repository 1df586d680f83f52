window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "medsos@kemcontoh.example",
      "createdVia" : "web",
      "username" : "KemContoh",
      "accountId" : "900000001",
      "createdAt" : "2019-06-01T10:00:00.000Z",
      "accountDisplayName" : "Kementerian Contoh"
    }
  }
]
