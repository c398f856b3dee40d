package io.chorus.core;

import java.util.function.LongSupplier;

/** The real clock: the only place in Chorus that reads the JVM's time sources. */
enum SystemClock implements Clock {
    INSTANCE;

    // Method references keep the direct calls to this one file; the project's checks flag them anywhere else
    // in the pure modules.
    private static final LongSupplier NANOS = System::nanoTime;
    private static final LongSupplier MILLIS = System::currentTimeMillis;

    @Override
    public long nanoTime() {
        return NANOS.getAsLong();
    }

    @Override
    public long currentTimeMillis() {
        return MILLIS.getAsLong();
    }
}
