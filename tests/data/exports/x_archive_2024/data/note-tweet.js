window.YTD.note_tweet.part0 = [
  {
    "noteTweet" : {
      "noteTweetId" : "1790000000000000999",
      "updatedAt" : "2024-05-02T08:00:00.000Z",
      "lifecycle" : { "value" : "1", "name" : "Created", "originalValue" : "1", "annotations" : { } },
      "createdAt" : "2024-05-02T08:00:00.000Z",
      "core" : {
        "styletags" : [ ],
        "urls" : [ ],
        "text" : "Pengumuman layanan: mulai Senin loket pelayanan buka pukul 07.30 sampai 15.00. Warga yang membawa berkas lengkap dilayani lebih dulu. Antrean daring dibuka sehari sebelumnya. Untuk pertanyaan, hubungi pusat layanan kami pada jam kerja. Terima kasih atas kesabaran Bapak &amp; Ibu sekalian.",
        "mentions" : [ ],
        "cashtags" : [ ],
        "hashtags" : [ ]
      }
    }
  },
  {
    "noteTweet" : {
      "noteTweetId" : "1790000000000000998",
      "updatedAt" : "2024-05-04T10:00:00.000Z",
      "lifecycle" : { "value" : "1", "name" : "Created", "originalValue" : "1", "annotations" : { } },
      "createdAt" : "2024-05-04T10:00:00.000Z",
      "core" : {
        "styletags" : [ ],
        "urls" : [ { "shortUrl" : "https://t.co/LongNote01", "expandedUrl" : "https://kemcontoh.example/laporan", "displayUrl" : "kemcontoh.example/laporan" } ],
        "text" : "Catatan panjang tanpa kiriman pendek di tweets.js: laporan lengkap https://t.co/LongNote01",
        "mentions" : [ ],
        "cashtags" : [ ],
        "hashtags" : [ ]
      }
    }
  }
]
