package org.sidekiqsupervisor.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sidekiqsupervisor.model.JobEvent;
import org.sidekiqsupervisor.model.JobStatus;
import org.sidekiqsupervisor.store.StoreException;
import org.sidekiqsupervisor.store.jdbi.JournalFile.Group;

class JournalFileTest {
    private static final Instant T0 = Instant.parse("2026-12-03T06:00:00.123456Z");

    @TempDir
    Path dir;

    private static Group group(long seq, int events) {
        List<JobEvent> list = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            list.add(new JobEvent("j" + seq + "-" + i, JobStatus.values()[i % 4], T0.plusMillis(i), "Mailer", "default",
                    "[" + i + ",\"ü\"]", i % 4 == 3 ? "Boom" : null, i % 4 == 3 ? "went wrong" : null, null,
                    i == 0 ? "{\"jid\":\"x\"}" : null));
        }
        return new Group(seq, T0.plusSeconds(seq), list);
    }

    private static List<Group> replayed(JournalFile file) {
        List<Group> groups = new ArrayList<>();
        file.replay(groups::add);
        return groups;
    }

    @Test
    void groups_come_back_as_they_were_written_across_segments() throws IOException {
        List<Group> written = new ArrayList<>();
        try (JournalFile file = JournalFile.open(dir, 2_000, true)) {
            for (long seq = 1; seq <= 20; seq++) {
                Group group = group(seq, 5);
                file.append(group, null);
                written.add(group);
            }
        }
        assertThat(segments()).hasSizeGreaterThan(2);
        try (JournalFile file = JournalFile.open(dir, 2_000, true)) {
            assertThat(replayed(file)).isEqualTo(written);
        }
    }

    @Test
    void a_record_cut_short_ends_its_segment_and_what_came_before_it_is_read() throws IOException {
        try (JournalFile file = JournalFile.open(dir, 1 << 20, false)) {
            file.append(group(1, 3), null);
            file.append(group(2, 3), null);
        }
        Path segment = segments().get(0);
        long whole = Files.size(segment);
        // The first half of a third record, as a crash in the middle of its write leaves it.
        byte[] third = JournalFile.encode(group(3, 3));
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ByteBuffer header = ByteBuffer.allocate(8).putInt(third.length).putInt(12345);
            header.flip();
            channel.write(header);
            channel.write(ByteBuffer.wrap(third, 0, third.length / 2));
        }
        assertThat(Files.size(segment)).isGreaterThan(whole);
        try (JournalFile file = JournalFile.open(dir, 1 << 20, false)) {
            assertThat(replayed(file)).extracting(Group::seq).containsExactly(1L, 2L);
        }
    }

    @Test
    void a_damaged_record_ends_its_segment() throws IOException {
        try (JournalFile file = JournalFile.open(dir, 1 << 20, false)) {
            file.append(group(1, 3), null);
            file.append(group(2, 3), null);
        }
        Path segment = segments().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(segment, bytes);
        try (JournalFile file = JournalFile.open(dir, 1 << 20, false)) {
            assertThat(replayed(file)).extracting(Group::seq).containsExactly(1L);
        }
    }

    @Test
    void what_is_applied_is_given_back_and_what_is_not_stays() throws IOException {
        try (JournalFile file = JournalFile.open(dir, 1_000, false)) {
            for (long seq = 1; seq <= 12; seq++) {
                file.append(group(seq, 4), null);
            }
            int before = segments().size();
            assertThat(before).isGreaterThanOrEqualTo(3);
            file.releaseThrough(6);
            assertThat(segments().size()).isLessThan(before);
            try (JournalFile reader = readerOf(dir)) {
                // Every group after 6 is still there (a segment may also hold some before it: applied again, duplicates).
                assertThat(replayed(reader)).extracting(Group::seq).contains(7L, 8L, 9L, 10L, 11L, 12L);
            }
            file.releaseThrough(12);
            assertThat(segments()).isEmpty();
            assertThat(file.bytes()).isZero();
            // And it goes on after being emptied.
            file.append(group(13, 2), null);
            assertThat(segments()).hasSize(1);
        }
    }

    @Test
    void two_stores_never_share_one_journal() {
        try (JournalFile file = JournalFile.open(dir, 1 << 20, false)) {
            assertThatThrownBy(() -> JournalFile.open(dir, 1 << 20, false)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use by another store");
        }
    }

    /** The journal's segments as another process would read them: a copy of the directory, for its own lock. */
    private static JournalFile readerOf(Path dir) throws IOException {
        Path copy = Files.createTempDirectory("journal-copy");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().startsWith("journal-")).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return JournalFile.open(copy, 1 << 20, false);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.getFileName().toString().startsWith("journal-")).sorted().toList();
        }
    }
}
