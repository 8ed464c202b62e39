package org.alignedmmap.internal;

/**
 * Power-of-two arithmetic on addresses and sizes, and the checks that make a bad alignment a
 * clear message instead of a wrong address.
 */
public final class PowerOfTwo {
    private PowerOfTwo() {}

    /**
     * Tells whether a value is a power of two.
     *
     * @param value any value
     * @return true for 1, 2, 4, ... 2^62
     */
    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }

    /**
     * Rounds up to a multiple of a power of two.
     *
     * @param value a non-negative value
     * @param align a power of two
     * @return the smallest multiple of {@code align} that is {@code >= value}
     * @throws ArithmeticException if the result does not fit in a long
     */
    public static long alignUp(long value, long align) {
        long result = (value + align - 1) & -align;
        if (result < value) {
            throw new ArithmeticException(value + " rounded up to a multiple of " + align + " overflows a long");
        }
        return result;
    }

    /**
     * Rounds down to a multiple of a power of two.
     *
     * @param value any value
     * @param align a power of two
     * @return the largest multiple of {@code align} that is {@code <= value}
     */
    public static long alignDown(long value, long align) {
        return value & -align;
    }

    /**
     * Checks that an alignment argument is a power of two.
     *
     * @param name the parameter's name, for the message
     * @param align the value given
     * @return {@code align}
     * @throws IllegalArgumentException naming the parameter and the value otherwise
     */
    public static long requirePowerOfTwo(String name, long align) {
        if (!isPowerOfTwo(align)) {
            throw new IllegalArgumentException(name + " must be a power of two >= 1, was " + align);
        }
        return align;
    }
}
