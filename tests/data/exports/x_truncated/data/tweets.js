window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : ["1760000000000000001"], "editableUntil" : "2024-02-20T10:30:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          { "url" : "https://t.co/AbCdEf1234", "expanded_url" : "https://kemcontoh.example/siaran/2024-02-20", "display_url" : "kemcontoh.example/siaran/2024-0…", "indi