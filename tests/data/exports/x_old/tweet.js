window.YTD.tweet.part0 = [ {
  "retweeted" : false,
  "source" : "<a href=\"http://twitter.com\" rel=\"nofollow\">Twitter Web Client</a>",
  "entities" : {
    "hashtags" : [ ],
    "symbols" : [ ],
    "user_mentions" : [ ],
    "urls" : [ { "url" : "https://t.co/OldLink001", "expanded_url" : "http://kemcontoh.example/lama", "display_url" : "kemcontoh.example/lama", "indices" : [ "20", "43" ] } ]
  },
  "display_text_range" : [ "0", "43" ],
  "favorite_count" : "1",
  "id_str" : "500000000000000001",
  "truncated" : false,
  "retweet_count" : "0",
  "id" : "500000000000000001",
  "created_at" : "Mon Jun 02 07:00:00 +0000 2014",
  "favorited" : false,
  "full_text" : "Pengumuman lama ini: https://t.co/OldLink001",
  "lang" : "in"
} ]
