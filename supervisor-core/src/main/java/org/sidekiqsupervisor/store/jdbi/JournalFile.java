package org.sidekiqsupervisor.store.jdbi;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest journal's files: groups of events appended in order to segment files ({@code journal-<first seq>.log}) in
 * one directory, each group one record: its length, a CRC-32C of it, then the group (sequence number, time received,
 * events). A segment is deleted (the last one emptied) once every group in it is applied to the store. A record that
 * a crash cut short, or whose checksum fails, ends what is read of its segment: it was never acknowledged. The
 * directory is locked while open, so that two stores never write one journal. Thread-safe.
 */
final class JournalFile implements AutoCloseable {
    /** One group of events, as acknowledged together. */
    record Group(long seq, Instant receivedAt, List<JobEvent> events) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(JournalFile.class);
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";
    private static final int HEADER_BYTES = 8;

    /** A segment that is no longer written to, and the last group it holds. */
    private record Sealed(Path path, long lastSeq) {
    }

    private final Path directory;
    private final long segmentBytes;
    private final boolean syncsFiles;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Deque<Sealed> sealed = new ArrayDeque<>();
    private Path currentPath;
    private FileChannel current;
    /** The last group written to the current segment, 0 while it holds none. */
    private long currentLastSeq;

    private JournalFile(Path directory, long segmentBytes, boolean syncsFiles, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.syncsFiles = syncsFiles;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating) the journal in {@code directory} and locks it.
     *
     * @param segmentBytes how large a segment grows before the next group starts a new one
     * @param syncsFiles   whether new segments and the directory entries are flushed to the disk (an fsync policy)
     * @throws StoreException when the directory cannot be written, or another store holds it
     */
    static JournalFile open(Path directory, long segmentBytes, boolean syncsFiles) {
        try {
            Files.createDirectories(directory);
            FileChannel lockChannel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new StoreException("the ingest journal " + directory + " is in use by another store on the same database", null);
            }
            return new JournalFile(directory, segmentBytes, syncsFiles, lockChannel, lock);
        } catch (IOException e) {
            throw new StoreException("the ingest journal " + directory + " could not be opened: " + e.getMessage(), e);
        }
    }

    Path directory() {
        return directory;
    }

    /**
     * Reads every group the segments hold, oldest first, up to the first record of each segment that is cut short or
     * damaged (logged). Call before the first {@link #append}.
     */
    void replay(Consumer<Group> each) {
        for (Path segment : segments()) {
            long good = 0;
            try (InputStream file = Files.newInputStream(segment);
                 DataInputStream in = new DataInputStream(new BufferedInputStream(file, 1 << 16))) {
                long size = Files.size(segment);
                while (true) {
                    int length;
                    try {
                        length = in.readInt();
                    } catch (EOFException end) {
                        break;
                    }
                    int crc = in.readInt();
                    if (length < 0 || good + HEADER_BYTES + length > size) {
                        LOG.warn("the ingest journal's {} ends in a record cut short at byte {}: a group that was never "
                                + "acknowledged; the rest of the segment is ignored", segment.getFileName(), good);
                        break;
                    }
                    byte[] body = in.readNBytes(length);
                    CRC32C check = new CRC32C();
                    check.update(body);
                    if ((int) check.getValue() != crc) {
                        LOG.warn("the ingest journal's {} has a damaged record at byte {}; the rest of the segment is ignored",
                                segment.getFileName(), good);
                        break;
                    }
                    each.accept(decode(body));
                    good += HEADER_BYTES + length;
                }
            } catch (IOException e) {
                throw new StoreException("the ingest journal's " + segment + " could not be read: " + e.getMessage(), e);
            }
        }
    }

    /** Deletes every segment: after what {@link #replay} read was applied. */
    synchronized void deleteAll() {
        for (Path segment : segments()) {
            delete(segment);
        }
        sealed.clear();
        currentPath = null;
        current = null;
        currentLastSeq = 0;
    }

    /**
     * Appends one group in one write, starting a new segment first when the current one is full. When this returns
     * the group is in the operating system's hands: it survives the process, not necessarily a power loss (see
     * {@link #force}).
     *
     * @param fault called half-way through the write (tests kill the process there)
     */
    synchronized void append(Group group, Runnable fault) throws IOException {
        if (current != null && current.position() >= segmentBytes) {
            seal();
        }
        if (current == null) {
            currentPath = directory.resolve(String.format("%s%020d%s", PREFIX, group.seq(), SUFFIX));
            current = FileChannel.open(currentPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            if (syncsFiles) {
                forceDirectory();
            }
        }
        ByteBuffer record = record(group);
        long start = current.position();
        try {
            if (fault != null) {
                ByteBuffer half = record.duplicate().limit(record.limit() / 2);
                writeFully(half);
                fault.run();
                record.position(half.limit());
            }
            writeFully(record);
        } catch (IOException e) {
            // What was written of the record is taken back, so that the next group does not follow a torn one.
            current.truncate(start);
            current.position(start);
            throw e;
        }
        currentLastSeq = group.seq();
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            current.write(buffer);
        }
    }

    /**
     * Flushes the current segment to the disk (the sealed ones were flushed when they were sealed). The flush runs
     * outside the lock that appends take: on a busy disk it can take a long time, and appends held behind the
     * once-a-second flush were the slowest answers of all. A segment closed meanwhile needs nothing more: sealing
     * flushes it, and the journal gives a segment back only once the store holds all of it.
     */
    void force() throws IOException {
        FileChannel channel;
        synchronized (this) {
            channel = current;
        }
        if (channel == null) {
            return;
        }
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            // sealed or given back meanwhile (see above)
        }
    }

    /**
     * Gives back the space of every group up to {@code appliedSeq}: sealed segments that hold nothing after it are
     * deleted, and the current one is emptied when it holds nothing after it either.
     */
    synchronized void releaseThrough(long appliedSeq) throws IOException {
        while (!sealed.isEmpty() && sealed.peekFirst().lastSeq() <= appliedSeq) {
            delete(sealed.pollFirst().path());
        }
        if (current != null && currentLastSeq != 0 && currentLastSeq <= appliedSeq && sealed.isEmpty()) {
            current.close();
            delete(currentPath);
            current = null;
            currentPath = null;
            currentLastSeq = 0;
        }
    }

    /** Bytes the journal's segments take on the disk now. */
    synchronized long bytes() {
        long total = 0;
        for (Path segment : segments()) {
            try {
                total += Files.size(segment);
            } catch (IOException e) {
                // deleted meanwhile
            }
        }
        return total;
    }

    /**
     * Keeps a group the store refused, beside the journal ({@code failed-<seq>.log}, in the journal's own format), so
     * that what was acknowledged is not lost with it.
     */
    Path setAside(Group group) throws IOException {
        Path aside = directory.resolve(String.format("failed-%020d%s", group.seq(), SUFFIX));
        ByteBuffer record = record(group);
        try (FileChannel channel = FileChannel.open(aside, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (record.hasRemaining()) {
                channel.write(record);
            }
            channel.force(true);
        }
        return aside;
    }

    private void seal() throws IOException {
        if (syncsFiles) {
            current.force(false);
        }
        current.close();
        sealed.addLast(new Sealed(currentPath, currentLastSeq));
        current = null;
        currentPath = null;
        currentLastSeq = 0;
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened to flush it; the segment's own flushes still hold.
            LOG.debug("the journal's directory could not be flushed", e);
        }
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> {
                String name = path.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            throw new StoreException("the ingest journal " + directory + " could not be listed: " + e.getMessage(), e);
        }
    }

    private static void delete(Path segment) {
        try {
            Files.deleteIfExists(segment);
        } catch (IOException e) {
            throw new StoreException("the ingest journal's " + segment + " could not be deleted: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (current != null) {
                current.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("closing the ingest journal failed", e);
        }
    }

    // ---- the record format ----

    /** A group as one record: its length, its CRC-32C, then the group. */
    private static ByteBuffer record(Group group) {
        byte[] body = encode(group);
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + body.length);
        record.putInt(body.length).putInt((int) crc.getValue()).put(body).flip();
        return record;
    }

    static byte[] encode(Group group) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 160 * group.events().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(group.seq());
            out.writeLong(Times.toMicros(group.receivedAt()));
            out.writeInt(group.events().size());
            for (JobEvent event : group.events()) {
                writeString(out, event.jobId());
                writeString(out, event.status().wireName());
                out.writeLong(Times.toMicros(event.at()));
                writeString(out, event.jobClass());
                writeString(out, event.queue());
                writeString(out, event.arguments());
                writeString(out, event.errorClass());
                writeString(out, event.errorMessage());
                writeString(out, event.restartedFrom());
                writeString(out, event.payload());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    static Group decode(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        long seq = in.readLong();
        Instant receivedAt = Times.fromMicros(in.readLong());
        int count = in.readInt();
        List<JobEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String jobId = readString(in);
            JobStatus status = JobStatus.fromWireName(readString(in), "status");
            Instant at = Times.fromMicros(in.readLong());
            events.add(new JobEvent(jobId, status, at, readString(in), readString(in), readString(in), readString(in),
                    readString(in), readString(in), readString(in)));
        }
        return new Group(seq, receivedAt, events);
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
