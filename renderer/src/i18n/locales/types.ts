// A translation has exactly the English dictionary's keys, each a string (or a nested dictionary).
export type Translation<T> = { readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
