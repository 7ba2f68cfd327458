package org.sidekiqsupervisor.store.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionTerminatedException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.jdbi.v3.core.Jdbi;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.StoreSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H2's index for the arguments filter, a substring search that no B-tree serves (PostgreSQL has pg_trgm's GIN index
 * instead): a Lucene index beside the H2 file, one document per job with arguments, whose terms are the runs of
 * {@value #GRAM} characters (grams) in them. A needle of {@value #GRAM} characters or more can only be in arguments
 * that hold every gram of it; the jobs with all of them are the candidates, which the query checks with LIKE, so the
 * index only narrows the search. Four characters rather than pg_trgm's three: arguments are mostly ids, numbers and
 * e-mail addresses, whose three-character runs are common (a thousand of them spell every number).
 *
 * <p>Why Lucene and not a table of grams in H2: H2's store rewrites every page a commit touches, and a job's grams land
 * all over a gram-ordered table, so a group commit of a few hundred jobs rewrote thousands of pages (the file grew by
 * gigabytes within minutes of loading). Lucene writes new segments and merges them in the background.
 *
 * <p>Jobs are numbered ({@code seq}, assigned here, never reused; H2's column {@code seq}) and each document carries
 * its job's number. Numbers and documents are added under one lock, before the job's transaction commits; a Lucene
 * commit records the next number to assign, so every job numbered below it is in that commit. On opening, the jobs
 * numbered from there on are indexed again from H2, so a crash loses nothing that H2 kept. A transaction that rolls
 * back leaves a document for a number no job has (a candidate the query does not find); a job's documents are deleted
 * once the transaction deleting it has committed. A job whose arguments arrive after it was created gets a new number.
 * The index is derived data: deleting its directory makes the next start build it again from the jobs.
 */
final class ArgumentsIndex implements AutoCloseable {
    /** The characters in a gram. */
    static final int GRAM = 4;
    /**
     * The most candidates the index hands a query; a needle with more is common enough for the query's newest-first
     * probe, or too common for reading its candidates one by one to beat the scan.
     */
    static final int CANDIDATE_CAP = 10_000;
    /** How often the index is committed (made durable): what a crash leaves to index again on the next start. */
    private static final long COMMIT_SECONDS = 10;
    private static final String GRAMS = "g";
    private static final String SEQ = "seq";
    private static final String NEXT_SEQ = "next_seq";
    private static final int RECOVERY_BATCH = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ArgumentsIndex.class);
    /** The indexes open in this JVM, by database and prefix: stores opened twice on one database share one. */
    private static final Map<String, ArgumentsIndex> OPEN = new HashMap<>();

    private final String key;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ScheduledExecutorService committer;
    /** Guards {@link #nextSeq} and the documents added with each number. */
    private final Object numbering = new Object();
    private long nextSeq;
    /** Guarded by the class: the stores using this index. */
    private int users;

    private ArgumentsIndex(String key, Directory directory, Jdbi jdbi, String jobs) throws IOException {
        this.key = key;
        this.directory = directory;
        this.writer = new IndexWriter(directory, new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCommitOnClose(false));
        long committedNext = committedNextSeq();
        long maxSeq = jdbi.withHandle(handle -> handle.createQuery("select coalesce(max(seq), 0) from " + jobs).mapTo(Long.class).one());
        this.nextSeq = Math.max(maxSeq + 1, committedNext);
        recover(jdbi, jobs, committedNext);
        this.searchers = new SearcherManager(writer, null);
        this.committer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "supervisor-arguments-index");
            thread.setDaemon(true);
            return thread;
        });
        committer.scheduleWithFixedDelay(this::commitQuietly, COMMIT_SECONDS, COMMIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * The index of the jobs table of {@code schema} in the H2 database behind {@code jdbi}: in a directory beside its
     * file ({@code <file>.<prefix>arguments}), in memory for an in-memory database. Brought up to date with the jobs.
     */
    static synchronized ArgumentsIndex open(Jdbi jdbi, StoreSchema schema) {
        String path = jdbi.withHandle(handle -> handle.createQuery("select database_path()").mapTo(String.class).findOne().orElse(null));
        String name = jdbi.withHandle(handle -> handle.createQuery("select database()").mapTo(String.class).one());
        String key = (path == null ? "mem:" + name : path) + "|" + schema.tablePrefix();
        ArgumentsIndex index = OPEN.get(key);
        if (index == null) {
            try {
                Directory directory = path == null ? new ByteBuffersDirectory()
                        : FSDirectory.open(Path.of(path + "." + schema.tablePrefix() + "arguments"));
                index = new ArgumentsIndex(key, directory, jdbi, schema.jobsTable());
            } catch (IOException e) {
                throw new StoreException("the arguments index could not be opened: " + e.getMessage(), e);
            }
            OPEN.put(key, index);
        }
        index.users++;
        return index;
    }

    /**
     * The jobs table of {@code schema} as a query for the candidates names it: read by number. Left to choose, H2 reads
     * the activity index in order (to spare the sort) and tests every job against the candidates.
     */
    static String candidateJobs(StoreSchema schema) {
        return schema.jobsTable() + " use index (" + schema.tablePrefix() + "jobs_seq)";
    }

    private long committedNextSeq() throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return 0;
        }
        for (Map.Entry<String, String> entry : writer.getLiveCommitData()) {
            if (entry.getKey().equals(NEXT_SEQ)) {
                return Long.parseLong(entry.getValue());
            }
        }
        return 0;
    }

    /** Indexes again the jobs numbered {@code from} on: those the last commit may not hold. */
    private void recover(Jdbi jdbi, String jobs, long from) throws IOException {
        writer.deleteDocuments(LongPoint.newRangeQuery(SEQ, from, Long.MAX_VALUE));
        long[] indexed = {0};
        jdbi.useHandle(handle -> handle.createQuery("select seq, arguments from " + jobs + " where seq >= :from and arguments is not null")
                .bind("from", from).setFetchSize(RECOVERY_BATCH)
                .map((rs, ctx) -> document(rs.getLong("seq"), rs.getString("arguments")))
                .forEach(document -> {
                    try {
                        writer.addDocument(document);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    indexed[0]++;
                }));
        if (indexed[0] > 0) {
            LOG.info("indexed the arguments of {} jobs for the filter (those after the index's last commit)", indexed[0]);
        }
        commit();
    }

    /**
     * Numbers new jobs, one number for each of {@code arguments} (in order), and indexes those arguments that are not
     * null. Called within the transaction that writes the jobs, before it commits.
     */
    long[] number(List<String> arguments) {
        long[] seqs = new long[arguments.size()];
        List<Document> documents = new ArrayList<>();
        synchronized (numbering) {
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = nextSeq++;
                if (arguments.get(i) != null) {
                    documents.add(document(seqs[i], arguments.get(i)));
                }
            }
            try {
                writer.addDocuments(documents);
            } catch (IOException e) {
                throw new StoreException("the arguments index could not be written: " + e.getMessage(), e);
            }
        }
        return seqs;
    }

    /** Deletes the documents of the jobs numbered {@code seqs}: called once the transaction deleting them committed. */
    void delete(long[] seqs) {
        if (seqs.length == 0) {
            return;
        }
        try {
            writer.deleteDocuments(LongPoint.newSetQuery(SEQ, seqs));
        } catch (IOException e) {
            // The jobs are gone from H2: their documents only add candidates that the query does not find.
            LOG.warn("the arguments index could not delete the documents of {} deleted jobs: {}", seqs.length, e.getMessage());
        }
    }

    private static Document document(long seq, String arguments) {
        Document document = new Document();
        document.add(new LongPoint(SEQ, seq));
        document.add(new NumericDocValuesField(SEQ, seq));
        for (String gram : grams(arguments)) {
            document.add(new StringField(GRAMS, gram, Field.Store.NO));
        }
        return document;
    }

    /** The distinct grams of {@code text}, in the order they first appear; none for a text shorter than a gram. */
    static Set<String> grams(String text) {
        Set<String> grams = new LinkedHashSet<>();
        for (int i = 0; i + GRAM <= text.length(); i++) {
            grams.add(text.substring(i, i + GRAM));
        }
        return grams;
    }

    /**
     * The numbers of the jobs whose arguments may hold {@code needle}: every job that does, and few that do not; what
     * was numbered before this call is in it. Empty when the index cannot narrow the search enough: the needle is
     * shorter than a gram, or more than {@link #CANDIDATE_CAP} jobs hold all its grams.
     */
    Optional<long[]> candidates(String needle) {
        Set<String> grams = grams(needle);
        if (grams.isEmpty()) {
            return Optional.empty();
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        grams.forEach(gram -> query.add(new TermQuery(new Term(GRAMS, gram)), BooleanClause.Occur.FILTER));
        try {
            searchers.maybeRefreshBlocking();
            IndexSearcher searcher = searchers.acquire();
            try {
                SeqCollector collector = new SeqCollector();
                searcher.search(query.build(), collector);
                return collector.count > CANDIDATE_CAP ? Optional.empty() : Optional.of(Arrays.copyOf(collector.seqs, collector.count));
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new StoreException("the arguments index could not be read: " + e.getMessage(), e);
        }
    }

    /** Collects the numbers of the matching jobs, up to one past the cap. */
    private static final class SeqCollector extends SimpleCollector {
        final long[] seqs = new long[CANDIDATE_CAP + 1];
        int count;
        private NumericDocValues values;

        @Override
        protected void doSetNextReader(LeafReaderContext context) throws IOException {
            if (count > CANDIDATE_CAP) {
                throw new CollectionTerminatedException();
            }
            values = context.reader().getNumericDocValues(SEQ);
        }

        @Override
        public void collect(int doc) throws IOException {
            if (count > CANDIDATE_CAP) {
                throw new CollectionTerminatedException();
            }
            if (values != null && values.advanceExact(doc)) {
                seqs[count++] = values.longValue();
            }
        }

        @Override
        public ScoreMode scoreMode() {
            return ScoreMode.COMPLETE_NO_SCORES;
        }
    }

    /** How many jobs the index holds documents for, as a query would see it now: for tests. */
    int documents() {
        try {
            searchers.maybeRefreshBlocking();
            IndexSearcher searcher = searchers.acquire();
            try {
                return searcher.getIndexReader().numDocs();
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes what was indexed so far durable, with the number below which every job is in it. */
    void commit() throws IOException {
        synchronized (numbering) {
            writer.setLiveCommitData(Map.of(NEXT_SEQ, Long.toString(nextSeq)).entrySet());
        }
        writer.commit();
    }

    private void commitQuietly() {
        try {
            commit();
        } catch (IOException | RuntimeException e) {
            LOG.warn("the arguments index could not be committed (the next start indexes again what it lacks): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        synchronized (ArgumentsIndex.class) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(key);
        }
        // Not interrupted: a Lucene commit interrupted in its file writes would leave the writer closed.
        committer.shutdown();
        try {
            committer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            commit();
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            LOG.warn("the arguments index did not close cleanly (the next start indexes again what it lacks): {}", e.getMessage());
        }
    }
}
