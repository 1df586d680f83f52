window.__THAR_CONFIG = {
  "userInfo" : { "accountId" : "900000042", "userName" : "KemContoh", "displayName" : "Kementerian Contoh" },
  "archiveInfo" : { "sizeBytes" : "1234", "generationDate" : "2024-06-01T02:00:00.000Z", "isPartialArchive" : false, "maxPartSizeBytes" : "53687091200" }
}
