window.__THAR_CONFIG = {
  "userInfo" : { "accountId" : "900000001", "userName" : "KemContoh", "displayName" : "Kementerian Contoh" }
}
