rule a {
 condition: $nope
}
