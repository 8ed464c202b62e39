package org.alignedmmap.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of the comparison: the same operation measured for this library (one or more ways
 * of using it) and for its peers, in the same run, and the goal set for it. {@code ours} is the
 * default path (class path, only native access enabled, default options), which the advantage
 * and the goal judge; {@code flagged} holds the same variants measured with the extra flags and
 * options (see {@link Flavor#FLAGGED}), shown beside them.
 *
 * @param section the table it belongs to
 * @param operation what was measured
 * @param unit the unit of every value ("GB/s", "ns/op", "MiB")
 * @param higherIsBetter true for throughput, false for latency and memory
 * @param ours this library's values by variant ("Mmap align 2 MiB"), in the order shown
 * @param peers the peers' values by name; NaN when a peer could not run
 * @param goal the goal, or null
 * @param flagged this library's values on the flagged path, by variant; empty when not measured
 */
public record Row(String section, String operation, String unit, boolean higherIsBetter,
                  Map<String, Double> ours, Map<String, Double> peers, Goal goal, Map<String, Double> flagged) {

    /**
     * A target for the row: either a ratio against a peer, or a ceiling on our own value.
     *
     * @param against a peer's name, or null for the best peer
     * @param minRatio the smallest acceptable advantage (see {@link #advantage()}): 1.0 means "at
     *     least as good", 0.77 means "at most 1.3x worse", 100 means "100x better"; NaN when the
     *     goal is a ceiling
     * @param maxOurs the largest acceptable value of ours, or NaN
     * @param minOurs the smallest acceptable value of ours, or NaN
     * @param text how the issue put it
     */
    public record Goal(String against, double minRatio, double maxOurs, double minOurs, String text) {
        /**
         * A goal on the advantage over {@code against}.
         *
         * @param against a peer's name, or null for the best peer
         * @param minRatio the smallest acceptable advantage
         * @param text how the issue put it
         * @return the goal
         */
        public static Goal ratio(String against, double minRatio, String text) {
            return new Goal(against, minRatio, Double.NaN, Double.NaN, text);
        }

        /**
         * A goal on our own value.
         *
         * @param maxOurs the largest acceptable value
         * @param text how the issue put it
         * @return the goal
         */
        public static Goal atMost(double maxOurs, String text) {
            return new Goal(null, Double.NaN, maxOurs, Double.NaN, text);
        }

        /**
         * A goal on our own value, from below (a scaling factor, say).
         *
         * @param minOurs the smallest acceptable value
         * @param text how the issue put it
         * @return the goal
         */
        public static Goal atLeast(double minOurs, String text) {
            return new Goal(null, Double.NaN, Double.NaN, minOurs, text);
        }

        /**
         * Tells whether the goal judges our own value rather than a ratio to a peer.
         *
         * @return true for {@link #atMost} and {@link #atLeast} goals
         */
        public boolean onOurs() {
            return !Double.isNaN(maxOurs) || !Double.isNaN(minOurs);
        }
    }

    /** Copies the value maps, so that a row cannot change after it is made. */
    public Row {
        Objects.requireNonNull(section);
        Objects.requireNonNull(operation);
        ours = new LinkedHashMap<>(ours);
        peers = new LinkedHashMap<>(peers);
        flagged = new LinkedHashMap<>(flagged);
    }

    /**
     * A row without flagged values: the suites whose code paths the flags do not change.
     *
     * @param section the table it belongs to
     * @param operation what was measured
     * @param unit the unit of every value
     * @param higherIsBetter true for throughput
     * @param ours this library's values by variant
     * @param peers the peers' values by name
     * @param goal the goal, or null
     */
    public Row(String section, String operation, String unit, boolean higherIsBetter, Map<String, Double> ours,
               Map<String, Double> peers, Goal goal) {
        this(section, operation, unit, higherIsBetter, ours, peers, goal, Map.of());
    }

    /**
     * Returns this row with the flagged path's values beside the default path's.
     *
     * @param values this library's values on the flagged path, by variant
     * @return the new row
     */
    public Row withFlagged(Map<String, Double> values) {
        return new Row(section, operation, unit, higherIsBetter, ours, peers, goal, values);
    }

    /**
     * Returns the flagged path's advantage, computed as {@link #advantage()} is.
     *
     * @return the advantage, NaN without flagged values or a peer
     */
    public double flaggedAdvantage() {
        return advantage(best(flagged));
    }

    /**
     * Returns this library's best value over its variants.
     *
     * @return the best value, NaN if none
     */
    public double oursBest() {
        return best(ours);
    }

    /**
     * Returns the best peer.
     *
     * @return the name of the best peer with a value, or null
     */
    public String bestPeer() {
        return bestName(peers);
    }

    /**
     * Returns how much better ours (best variant) is than the goal's peer (or the best peer):
     * ours/peer for throughput, peer/ours for latency and memory. Above 1 is better.
     *
     * @return the advantage, NaN when it cannot be computed
     */
    public double advantage() {
        return advantage(oursBest());
    }

    private double advantage(double mine) {
        String peer = goal != null && goal.against() != null ? goal.against() : bestPeer();
        Double theirs = peer == null ? null : peers.get(peer);
        if (theirs == null || theirs.isNaN() || Double.isNaN(mine) || mine <= 0 || theirs <= 0) {
            return Double.NaN;
        }
        return higherIsBetter ? mine / theirs : theirs / mine;
    }

    /**
     * Returns the peer {@link #advantage()} is measured against.
     *
     * @return its name, or null
     */
    public String comparedWith() {
        return goal != null && goal.against() != null ? goal.against() : bestPeer();
    }

    /**
     * Tells whether the row's goal judges our own value (no peer ratio).
     *
     * @return true for {@link Goal#atMost} and {@link Goal#atLeast} goals
     */
    public boolean goalOnOurs() {
        return goal != null && goal.onOurs();
    }

    /**
     * Tells whether the goal is met.
     *
     * @return true or false; null without a goal or when it cannot be judged
     */
    public Boolean goalMet() {
        if (goal == null) {
            return null;
        }
        if (goal.onOurs()) {
            double mine = oursBest();
            if (Double.isNaN(mine)) {
                return null;
            }
            return Double.isNaN(goal.maxOurs()) ? mine >= goal.minOurs() : mine <= goal.maxOurs();
        }
        double advantage = advantage();
        return Double.isNaN(advantage) ? null : advantage >= goal.minRatio();
    }

    private double best(Map<String, Double> values) {
        String name = bestName(values);
        return name == null ? Double.NaN : values.get(name);
    }

    private String bestName(Map<String, Double> values) {
        String best = null;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            if (v == null || v.isNaN()) {
                continue;
            }
            if (best == null || (higherIsBetter ? v > values.get(best) : v < values.get(best))) {
                best = e.getKey();
            }
        }
        return best;
    }
}
