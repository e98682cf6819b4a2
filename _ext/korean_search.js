/* The query side of _ext/korean_search.py: Sphinx's search script asks language_data.js
   for a `Stemmer`; this one strips Korean endings, then applies Porter (PorterStemmer, from
   Sphinx's Snowball files, precedes this file) until the stem stops changing. The Python
   side fills in __KOREAN_ENDINGS__ (longest first) and __PORTER_ROUNDS__. */
var KOREAN_ENDINGS = __KOREAN_ENDINGS__;
var Stemmer = function() {
  var porter = new PorterStemmer();
  var endsInHangul = /[\uac00-\ud7a3]$/;
  var hangul = /[\uac00-\ud7a3]/;
  this.stripKoreanEndings = function(word) {
    while (endsInHangul.test(word)) {
      var cut = false;
      for (var i = 0; i < KOREAN_ENDINGS.length; i++) {
        var ending = KOREAN_ENDINGS[i];
        if (word.length > ending.length && word.endsWith(ending)) {
          word = word.slice(0, word.length - ending.length);
          cut = true;
          break;
        }
      }
      if (!cut) break;
    }
    return word;
  };
  this.stemWord = function(word) {
    word = this.stripKoreanEndings(word.toLowerCase());
    if (hangul.test(word)) return word;
    for (var round = 0; round < __PORTER_ROUNDS__; round++) {
      var stemmed = porter.stemWord(word);
      if (stemmed === word) break;
      word = stemmed;
    }
    return word;
  };
};

