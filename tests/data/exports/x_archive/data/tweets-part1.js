window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
      "display_text_range" : ["0", "31"],
      "favorite_count" : "0",
      "id_str" : "1760000000000000003",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1760000000000000003",
      "created_at" : "Thu Feb 22 16:10:37 +0000 2024",
      "favorited" : false,
      "full_text" : "Made-up example tweet in part 1.",
      "lang" : "en"
    }
  }
]
