include "x.yar"
rule a { condition: true }
