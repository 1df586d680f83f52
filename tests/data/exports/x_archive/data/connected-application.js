window.YTD.connected_application.part0 = [
  {
    "connectedApplication" : {
      "organization" : { "name" : "Contoh Scheduler", "url" : "https://scheduler.example", "privacyPolicyUrl" : "https://scheduler.example/privacy", "termsAndConditionsUrl" : "https://scheduler.example/terms" },
      "name" : "Contoh Scheduler",
      "description" : "Made-up scheduling app",
      "permissions" : [ "read", "write" ],
      "approvedAt" : "2024-01-10T03:00:00.000Z",
      "id" : "2900001"
    }
  }
]
