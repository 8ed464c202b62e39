/**
 * A Lucene {@link org.apache.lucene.store.Directory} that maps index files with aligned-mmap:
 * files large enough for a huge page are mapped at an address aligned to the transparent huge
 * page size and advised for huge pages, and the files it writes are written in whole huge-page
 * blocks so that the page cache holds them in huge folios. See {@link
 * org.alignedmmap.lucene.AlignedMMapDirectory}.
 */
module org.alignedmmap.lucene {
    requires transitive org.apache.lucene.core;
    // Transitive: HugePageReport appears in this module's API.
    requires transitive org.alignedmmap;

    exports org.alignedmmap.lucene;
}
