window.YTD.community_tweet.part0 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
      "display_text_range" : [ "0", "52" ],
      "favorite_count" : "2",
      "community_id_str" : "1700000000000000555",
      "id_str" : "1790000000000000201",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1790000000000000201",
      "created_at" : "Fri May 03 01:15:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Diskusi komunitas: usulan jam layanan &lt;sore&gt; hari",
      "lang" : "in"
    }
  }
]
