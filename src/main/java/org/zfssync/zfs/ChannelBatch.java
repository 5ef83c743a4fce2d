package org.zfssync.zfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;

/**
 * Runs the cursor bookmarks and snapshot destroys at the end of a run as ZFS channel programs
 * ({@code zfs program}): one transaction group per pool for all of them, where each
 * {@code zfs bookmark} or {@code zfs destroy} process waits for a txg of its own. On a tree of
 * 100 small datasets in the lab guest that was 13 s of a 121 s full sync (0.13 s per bookmark)
 * and about 40 s of an incremental one, against 0.3 s for 40 bookmarks in one program.
 *
 * <p>Channel programs need root on the host. Where {@code zfs program} fails as a whole (not
 * root, an OpenZFS without {@code zfs.sync.bookmark}), the same commands run one by one, as they
 * would without this class, and the host is not asked again in this run; a program that fails
 * among others that answered has its own commands run one by one. The script checks each
 * operation ({@code zfs.check.*}) before it makes it, so an error it raises comes before that
 * operation's change, though after those of the operations before it (ZFS does not undo them):
 * those then fail again by command line ("exists", "could not find"), which says less than the
 * truth but never destroys more. Its limits (10 million Lua instructions, 10 MiB) are far above
 * what one program under {@link ZfsCommands#MAX_ARGUMENT} of arguments can use. Each command keeps its own result: a {@code zfs destroy fs@a,b} stays all or nothing
 * as on the command line, and a cursor's older bookmarks are destroyed (by the command line:
 * channel programs cannot destroy bookmarks) only once the new one exists.
 */
public final class ChannelBatch {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelBatch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fewer operations than this gain nothing from a program. */
    private static final int MIN_OPERATIONS = 2;

    /**
     * Arguments: {@code b FROM BOOKMARK} (make a bookmark) or {@code d N SNAP...} (destroy N
     * snapshots, all or none). Returns per operation "0", an errno, or for a destroy the errno and
     * the position of the snapshot that refused. Never calls a {@code zfs.sync} function whose
     * {@code zfs.check} twin refused, so a raised error can only come before any change. One line
     * (Lua needs none), so that no login shell has a newline to quote.
     */
    static final String SCRIPT = String.join(" ", """
            local argv = (...)["argv"]
            if zfs.sync.bookmark == nil or zfs.check.bookmark == nil then error("no zfs.sync.bookmark here") end
            local out = {}
            local i = 1
            while i <= #argv do
              if argv[i] == "b" then
                local e = zfs.check.bookmark(argv[i + 1], argv[i + 2])
                if e == 0 then e = zfs.sync.bookmark(argv[i + 1], argv[i + 2]) end
                out[#out + 1] = tostring(e)
                i = i + 3
              else
                local n = tonumber(argv[i + 1])
                local r = "0"
                for k = 1, n do
                  local e = zfs.check.destroy(argv[i + 1 + k])
                  if e ~= 0 then r = tostring(e) .. " " .. k break end
                end
                if r == "0" then
                  for k = 1, n do
                    local e = zfs.sync.destroy(argv[i + 1 + k])
                    if e ~= 0 then r = tostring(e) .. " " .. k break end
                  end
                end
                out[#out + 1] = r
                i = i + 2 + n
              end
            end
            return out
            """.strip().lines().map(String::strip).toList());
    private static final String RUNNER = "p=$1 s=$2; shift 2; printf '%s' \"$s\" | zfs program -j \"$p\" /dev/stdin \"$@\"";

    private final Host host;
    private boolean refused;

    public ChannelBatch(Host host) {
        this.host = host;
    }

    /**
     * Runs {@code commands} in order with the results {@link Host#runAll} would give: each run of
     * consecutive bookmark and snapshot-destroy commands as programs, everything else as it is.
     */
    public List<CommandResult> runAll(List<Command> commands) {
        CommandResult[] results = new CommandResult[commands.size()];
        int i = 0;
        while (i < commands.size()) {
            int j = i;
            List<Operation> ops = new ArrayList<>();
            while (j < commands.size() && !refused) {
                Operation op = Operation.of(commands.get(j));
                if (op == null) {
                    break;
                }
                ops.add(op);
                j++;
            }
            if (ops.size() >= MIN_OPERATIONS && runPrograms(ops, results, i)) {
                i = j;
                continue;
            }
            int k = Math.max(j, i + 1);
            while (k < commands.size() && (refused || Operation.of(commands.get(k)) == null)) {
                k++;
            }
            List<CommandResult> plain = host.runAll(commands.subList(i, k));
            for (int n = 0; n < plain.size(); n++) {
                results[i + n] = plain.get(n);
            }
            i = k;
        }
        return List.of(results);
    }

    /** False (and nothing changed) when the host refused the programs; the caller runs the commands then. */
    private boolean runPrograms(List<Operation> ops, CommandResult[] results, int offset) {
        List<Program> programs = programs(ops);
        LOG.info("on {}: those {} bookmarks and snapshot destroys as {} zfs program(s), one transaction group each",
                host.name(), ops.size(), programs.size());
        List<CommandResult> ran = host.runAll(programs.stream().map(Program::command).toList());
        Map<Integer, String> answers = new LinkedHashMap<>();
        String firstFailure = null;
        for (int p = 0; p < programs.size(); p++) {
            // Each program ran in the session whatever the others did: its own answers stand.
            List<String> codes = codes(ran.get(p));
            if (codes == null || codes.size() != programs.get(p).members().size()) {
                firstFailure = firstFailure == null ? ran.get(p).errorLine() : firstFailure;
                continue;
            }
            for (int m = 0; m < codes.size(); m++) {
                answers.put(programs.get(p).members().get(m), codes.get(m));
            }
        }
        if (answers.isEmpty()) {
            refused = true;
            LOG.info("zfs program is not available on {} ({}); bookmarks and destroys run one by one", host.name(),
                    firstFailure);
            return false;
        }
        if (firstFailure != null) {
            LOG.warn("some zfs programs on {} failed ({}); their bookmarks and destroys run one by one", host.name(),
                    firstFailure);
        }
        List<Command> leftOver = new ArrayList<>();
        List<Integer> leftOverAt = new ArrayList<>();
        List<Command> followUps = new ArrayList<>();
        List<Integer> followUpOf = new ArrayList<>();
        for (int n = 0; n < ops.size(); n++) {
            Operation op = ops.get(n);
            String answer = answers.get(n);
            if (answer == null) {
                leftOver.add(op.command());
                leftOverAt.add(n);
                continue;
            }
            results[offset + n] = op.result(host.name(), answer);
            if (results[offset + n].ok()) {
                for (String older : op.thenDestroy()) {
                    int hash = older.indexOf('#');
                    followUps.add(ZfsCommands.destroyBookmark(DatasetName.of(older.substring(0, hash)),
                            older.substring(hash + 1)));
                    followUpOf.add(n);
                }
            }
        }
        List<CommandResult> rest = host.runAll(concat(leftOver, followUps));
        for (int n = 0; n < leftOver.size(); n++) {
            results[offset + leftOverAt.get(n)] = rest.get(n);
        }
        for (int n = 0; n < followUps.size(); n++) {
            CommandResult r = rest.get(leftOver.size() + n);
            int at = offset + followUpOf.get(n);
            if (!r.ok() && results[at].ok()) {
                results[at] = new CommandResult(results[at].command(), host.name(), r.exitCode(), "", r.stderr());
            }
        }
        return true;
    }

    private static List<Command> concat(List<Command> a, List<Command> b) {
        List<Command> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The operations grouped into programs: one pool each, each under the length one argument may have. */
    static List<Program> programs(List<Operation> ops) {
        Map<String, List<Integer>> byPool = new LinkedHashMap<>();
        for (int n = 0; n < ops.size(); n++) {
            byPool.computeIfAbsent(ops.get(n).pool(), p -> new ArrayList<>()).add(n);
        }
        List<Program> programs = new ArrayList<>();
        byPool.forEach((pool, members) -> {
            List<String> args = new ArrayList<>();
            List<Integer> chunk = new ArrayList<>();
            int length = SCRIPT.length() + RUNNER.length();
            for (int n : members) {
                List<String> opArgs = ops.get(n).arguments();
                int opLength = opArgs.stream().mapToInt(a -> a.length() + 3).sum();
                if (!chunk.isEmpty() && length + opLength > ZfsCommands.MAX_ARGUMENT) {
                    programs.add(Program.of(pool, args, chunk));
                    args = new ArrayList<>();
                    chunk = new ArrayList<>();
                    length = SCRIPT.length() + RUNNER.length();
                }
                args.addAll(opArgs);
                chunk.add(n);
                length += opLength;
            }
            programs.add(Program.of(pool, args, chunk));
        });
        return programs;
    }

    /** The per-operation answers of one program's {@code -j} output, or null if it did not run. */
    static List<String> codes(CommandResult r) {
        if (!r.ok()) {
            return null;
        }
        String out = r.stdout().isBlank() ? r.output() : r.stdout();
        int start = out.indexOf('{');
        if (start < 0) {
            return null;
        }
        try {
            JsonNode ret = JSON.readTree(out.substring(start)).path("return");
            List<String> codes = new ArrayList<>();
            for (int n = 1; ret.has(Integer.toString(n)); n++) {
                codes.add(ret.get(Integer.toString(n)).asText());
            }
            return ret.isObject() || ret.isMissingNode() ? codes : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One program: its command, and which operations (by position) it carries, in order. */
    record Program(Command command, List<Integer> members) {
        static Program of(String pool, List<String> args, List<Integer> members) {
            List<String> argv = new ArrayList<>(List.of("sh", "-c", RUNNER, "zfs-sync-program", pool, SCRIPT));
            argv.addAll(args);
            return new Program(Command.changing(argv), List.copyOf(members));
        }
    }

    /**
     * A command this class can run inside a program: {@link ZfsCommands#bookmark},
     * {@link ZfsCommands#bookmarkThenDestroy} (its older bookmarks in {@code thenDestroy}) or
     * {@link ZfsCommands#destroySnapshots}.
     */
    record Operation(Command command, String pool, List<String> arguments, List<String> thenDestroy) {
        static Operation of(Command c) {
            Operation op = parse(c);
            // A comma list near the argument limit grows as one fs@name argument per snapshot: left as it is.
            return op == null || op.arguments().stream().mapToInt(x -> x.length() + 3).sum()
                    + SCRIPT.length() + RUNNER.length() > ZfsCommands.MAX_ARGUMENT ? null : op;
        }

        private static Operation parse(Command c) {
            List<String> a = c.argv();
            if (a.size() == 4 && a.get(0).equals("zfs") && a.get(1).equals("bookmark")) {
                return bookmark(c, a.get(2), a.get(3), List.of());
            }
            if (a.size() > 5 && a.get(0).equals("sh") && a.get(2).equals(ZfsCommands.BOOKMARK_THEN_DESTROY)) {
                return bookmark(c, a.get(4), a.get(5), a.subList(6, a.size()));
            }
            if (a.size() == 3 && a.get(0).equals("zfs") && a.get(1).equals("destroy") && a.get(2).contains("@")
                    && !a.get(2).contains("#")) {
                String arg = a.get(2);
                int at = arg.indexOf('@');
                List<String> args = new ArrayList<>(List.of("d"));
                String[] names = arg.substring(at + 1).split(",");
                args.add(Integer.toString(names.length));
                for (String name : names) {
                    args.add(arg.substring(0, at) + "@" + name);
                }
                return new Operation(c, pool(arg), args, List.of());
            }
            return null;
        }

        private static Operation bookmark(Command c, String from, String bookmark, List<String> older) {
            return new Operation(c, pool(from), List.of("b", from, bookmark), List.copyOf(older));
        }

        /** The pool of {@code fs@snap} or {@code fs#bookmark}. */
        private static String pool(String name) {
            return DatasetName.of(name.split("[@#]", 2)[0]).pool();
        }

        /** What the command line would have said for this answer. */
        CommandResult result(String hostName, String answer) {
            String[] parts = answer.trim().split(" ");
            int errno;
            try {
                errno = Integer.parseInt(parts[0]);
            } catch (NumberFormatException e) {
                return new CommandResult(command, hostName, 1, "", "zfs program answered " + answer + "\n");
            }
            if (errno == 0) {
                return new CommandResult(command, hostName, 0, "", "");
            }
            String what;
            if (arguments.get(0).equals("b")) {
                what = "cannot create bookmark '" + arguments.get(2) + "'";
            } else {
                int k = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
                what = "cannot destroy snapshot " + arguments.get(1 + k);
            }
            return new CommandResult(command, hostName, 1, "", what + ": " + Errno.describe(errno) + "\n");
        }
    }

    /** The errno names zfs program answers with, for a message a user can act on. */
    static final class Errno {
        private Errno() {
        }

        static String describe(int errno) {
            return switch (errno) {
                case 1 -> "operation not permitted (EPERM)";
                case 2 -> "dataset does not exist (ENOENT)";
                case 13 -> "permission denied (EACCES)";
                case 16 -> "dataset is busy (EBUSY: held, or a clone depends on it)";
                case 17 -> "it already exists (EEXIST)";
                case 18 -> "not in the same dataset (EXDEV)";
                case 22 -> "invalid argument (EINVAL)";
                case 28 -> "out of space (ENOSPC)";
                default -> "error " + errno;
            };
        }
    }
}
