window.YTD.ip_audit.part0 = [
  { "ipAudit" : { "accountId" : "900000001", "createdAt" : "2024-03-05T08:12:44.120Z", "loginIp" : "203.0.113.7" } },
  { "ipAudit" : { "accountId" : "900000001", "createdAt" : "2024-03-06T22:01:02.000Z", "loginIp" : "198.51.100.23" } }
]
