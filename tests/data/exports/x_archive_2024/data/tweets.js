window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1790000000000000101" ], "editableUntil" : "2024-05-01T03:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : false } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ { "name" : "Dinas Contoh", "screen_name" : "DinasContoh", "indices" : [ "3", "15" ], "id_str" : "900000077", "id" : "900000077" } ], "urls" : [ ] },
      "display_text_range" : [ "0", "74" ],
      "favorite_count" : "0",
      "id_str" : "1790000000000000101",
      "truncated" : false,
      "retweet_count" : "12",
      "id" : "1790000000000000101",
      "created_at" : "Wed May 01 02:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @DinasContoh: Jadwal vaksinasi pekan ini sudah terbit &gt; cek di kantor kelurahan",
      "lang" : "in"
    }
  },
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1790000000000000102" ], "editableUntil" : "2024-05-01T05:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ { "url" : "https://t.co/QuoteAbc12", "expanded_url" : "https://twitter.com/DinasContoh/status/1789999999999999999", "display_url" : "twitter.com/DinasContoh/st…", "indices" : [ "36", "59" ] } ] },
      "display_text_range" : [ "0", "59" ],
      "favorite_count" : "4",
      "id_str" : "1790000000000000102",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1790000000000000102",
      "created_at" : "Wed May 01 04:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Kami dukung langkah ini &amp; ajak warga ikut. https://t.co/QuoteAbc12",
      "lang" : "in"
    }
  },
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1790000000000000103" ], "editableUntil" : "2024-05-02T09:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ { "url" : "https://t.co/NoteLnk999", "expanded_url" : "https://twitter.com/i/web/status/1790000000000000103", "display_url" : "twitter.com/i/web/status/1…", "indices" : [ "262", "285" ] } ] },
      "display_text_range" : [ "0", "285" ],
      "favorite_count" : "30",
      "id_str" : "1790000000000000103",
      "truncated" : false,
      "retweet_count" : "9",
      "id" : "1790000000000000103",
      "created_at" : "Thu May 02 08:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Pengumuman layanan: mulai Senin loket pelayanan buka pukul 07.30 sampai 15.00. Warga yang membawa berkas lengkap dilayani lebih dulu. Antrean daring dibuka sehari sebelumnya. Untuk pertanyaan, hubungi pusat layanan kami pada jam kerja. Terima kasih atas kesabaran …https://t.co/NoteLnk999",
      "lang" : "in"
    }
  }
]
