rule small { meta: description = "d" strings: $a = "abc" nocase $b = { 4D 5A ?? 00 } $c = /node\s+[a-z]+\.js/ condition: 2 of them }
