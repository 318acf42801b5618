import "math"
rule m { condition: math.entropy(0, filesize) > 7 and filesize < 100 }
