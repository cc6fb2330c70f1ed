package org.securonis.bim.linux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A notify socket for the daemon's tests: the native module's test receiver, opened to other packages. */
public final class NotifyProbe implements AutoCloseable {

    private final NotifyReceiver receiver;

    private NotifyProbe(NotifyReceiver receiver) {
        this.receiver = receiver;
    }

    /** Binds a datagram socket at {@code address} ("@abstract" or "/path"). */
    public static NotifyProbe bind(String address) throws NativeException {
        return new NotifyProbe(NotifyReceiver.bind(address));
    }

    /** The next message, waiting at most {@code timeout} (fails the test then). */
    public String receive(Duration timeout) throws NativeException {
        return new String(receiver.receive(timeout), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws NativeException {
        receiver.close();
    }
}
