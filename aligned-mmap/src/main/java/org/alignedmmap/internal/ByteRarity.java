package org.alignedmmap.internal;

/**
 * A guess at how common each byte value is in the data people search: text (mostly ASCII
 * letters, spaces and line ends) and binary files (many zeros, 0xFF padding). A search for a
 * needle of two or more bytes filters candidate positions on two of the needle's bytes, and
 * filters best on the two that occur least in the haystack; the haystack is not known in
 * advance, so this table stands in for its statistics.
 *
 * <p>Only the order matters, and a wrong guess costs speed, never correctness: every candidate
 * is verified in full. The classes, from common to rare: space and zero; lowercase letters in
 * the order of English letter frequency; line ends and tabs; digits; 0xFF; common punctuation;
 * uppercase letters in English order; bytes 0x80 and above (UTF-8 sequences); other ASCII
 * punctuation; control characters.
 */
final class ByteRarity {
    /** English letters, most frequent first. */
    private static final String LETTERS = "etaoinsrhldcumfpgwybvkxjqz";
    private static final int[] COMMONNESS = table();

    private ByteRarity() {}

    /**
     * Returns how common {@code b} is guessed to be: higher is more common.
     *
     * @param b any byte
     * @return a score in {@code [0, 255]}
     */
    static int commonness(byte b) {
        return COMMONNESS[b & 0xFF];
    }

    private static int[] table() {
        int[] t = new int[256];
        for (int b = 0; b < 0x20; b++) {
            t[b] = 10; // control characters
        }
        for (int b = 0x20; b < 0x7F; b++) {
            t[b] = 40; // ASCII punctuation and symbols
        }
        t[0x7F] = 10;
        for (int b = 0x80; b < 0x100; b++) {
            t[b] = 60; // UTF-8 lead and continuation bytes, binary data
        }
        for (char c : ".,-'\"/:;()_=".toCharArray()) {
            t[c] = 110;
        }
        for (int k = 0; k < LETTERS.length(); k++) {
            t[LETTERS.charAt(k)] = 250 - 4 * k;
            t[Character.toUpperCase(LETTERS.charAt(k))] = 100 - 2 * k;
        }
        for (char c = '0'; c <= '9'; c++) {
            t[c] = 130;
        }
        t['\n'] = 140;
        t['\r'] = 120;
        t['\t'] = 120;
        t[0xFF] = 125;
        t[' '] = 255;
        t[0] = 255;
        return t;
    }
}
