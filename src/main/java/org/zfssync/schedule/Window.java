package org.zfssync.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A weekly time range: on each of {@code days}, from {@code from} to {@code to} in the zone of its
 * {@link Windows}. A range whose end is not after its start runs overnight into the next day
 * ({@code 22:00} to {@code 06:00} on Friday covers Friday night until Saturday 06:00); equal ends
 * cover the whole day. Inside it, {@code replicate} says whether a replication may start and
 * {@code bytesPerSecond} (0 for none) caps running transfers.
 */
public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, long bytesPerSecond, boolean replicate) {
    private static final List<String> NAMES = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    public Window {
        days = days.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(days);
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a window's bwlimit must not be negative");
        }
    }

    /** The window as it falls on {@code date} (when that is one of its days), as two instants. */
    Span on(LocalDate date, ZoneId zone) {
        // atZone moves a time in a spring-forward gap to after it and takes the earlier of a repeated hour.
        ZonedDateTime start = ZonedDateTime.of(date, from, zone);
        LocalDate endDate = to.isAfter(from) ? date : date.plusDays(1);
        ZonedDateTime end = ZonedDateTime.of(endDate, to, zone);
        return new Span(start.toInstant(), end.toInstant());
    }

    record Span(java.time.Instant start, java.time.Instant end) {
        boolean contains(java.time.Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    /** {@code mon-fri}, {@code sat,sun}, {@code fri-mon} (wrapping), {@code mon,wed-fri}; blank for every day. */
    public static Set<DayOfWeek> parseDays(String text) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        if (text == null || text.isBlank()) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        for (String part : text.toLowerCase(Locale.ROOT).split(",")) {
            String[] ends = part.strip().split("\\s*-\\s*", -1);
            if (ends.length > 2) {
                throw badDays(text);
            }
            int a = day(ends[0], text);
            int b = ends.length == 2 ? day(ends[1], text) : a;
            for (int d = a; ; d = (d + 1) % 7) {
                days.add(DayOfWeek.of(d + 1));
                if (d == b) {
                    break;
                }
            }
        }
        return days;
    }

    private static int day(String name, String text) {
        String n = name.strip();
        int i = n.length() >= 3 ? NAMES.indexOf(n.substring(0, 3)) : -1;
        if (i < 0 || !DayOfWeek.of(i + 1).name().toLowerCase(Locale.ROOT).startsWith(n)) {
            throw badDays(text);
        }
        return i;
    }

    private static IllegalArgumentException badDays(String text) {
        return new IllegalArgumentException("invalid days '" + text
                + "': use mon tue wed thu fri sat sun, ranges and commas (e.g. mon-fri or sat,sun)");
    }

    /** {@code HH:MM}; {@code 24:00} for the end of the day. */
    public static LocalTime parseTime(String key, String text) {
        String t = text == null ? "" : text.strip();
        if (t.equals("24:00")) {
            return LocalTime.MIDNIGHT;
        }
        if (!t.matches("\\d{1,2}:\\d{2}")) {
            throw new IllegalArgumentException("invalid " + key + " '" + text + "': use HH:MM, quoted (e.g. \"08:00\")");
        }
        int colon = t.indexOf(':');
        int h = Integer.parseInt(t.substring(0, colon));
        int m = Integer.parseInt(t.substring(colon + 1));
        if (h > 23 || m > 59) {
            throw new IllegalArgumentException("invalid " + key + " '" + text + "': hours 0-23, minutes 0-59");
        }
        return LocalTime.of(h, m);
    }
}
