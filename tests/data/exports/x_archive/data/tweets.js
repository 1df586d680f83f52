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
          { "url" : "https://t.co/AbCdEf1234", "expanded_url" : "https://kemcontoh.example/siaran/2024-02-20", "display_url" : "kemcontoh.example/siaran/2024-0…", "indices" : ["36", "59"] }
        ]
      },
      "display_text_range" : ["0", "59"],
      "favorite_count" : "2",
      "id_str" : "1760000000000000001",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1760000000000000001",
      "created_at" : "Tue Feb 20 09:30:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Siaran pers hari ini &amp; jadwal: https://t.co/AbCdEf1234",
      "lang" : "in"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ],
        "media" : [ { "url" : "https://t.co/PhOtO98765", "expanded_url" : "https://x.com/KemContoh/status/1760000000000000002/photo/1", "id_str" : "1760000000000000900", "type" : "photo", "media_url_https" : "https://pbs.twimg.com/media/madeup.jpg" } ] },
      "display_text_range" : ["0", "27"],
      "favorite_count" : "0",
      "id_str" : "1760000000000000002",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1760000000000000002",
      "created_at" : "Wed Feb 21 01:15:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Foto kegiatan pagi ini. https://t.co/PhOtO98765",
      "lang" : "in"
    }
  }
]
