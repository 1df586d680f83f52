window.YTD.email_address_change.part0 = [
  { "emailAddressChange" : { "accountId" : "900000001", "emailChange" : { "changedAt" : "2024-03-06T22:05:00.000Z", "changedFrom" : "medsos@kemcontoh.example", "changedTo" : "someone@mail.example" } } }
]
