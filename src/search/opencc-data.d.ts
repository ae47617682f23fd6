// opencc-js ships its OpenCC dictionaries as modules exporting one string ("源 目标1 目标2|…"), without declarations.
declare module 'opencc-js/dict/TSCharacters' {
  const dict: string;
  export default dict;
}

declare module 'opencc-js/dict/CJK_Compatibility_Ideographs' {
  const dict: string;
  export default dict;
}
