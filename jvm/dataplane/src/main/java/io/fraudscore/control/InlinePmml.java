package io.fraudscore.control;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PMML as it travels inline: gzip (one member, nothing after it), then padded base64. Read by hand rather than
 * with {@code GZIPInputStream}, which takes several members and ignores bytes after the last one: Python's
 * {@code zlib.decompressobj(wbits=31)} takes exactly one, and both must refuse the same payloads.
 */
final class InlinePmml {
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
    private static final String NOT_BASE64 = "PMML payload is not gzip+base64: not base64";
    private static final String NOT_GZIP = "PMML payload is not gzip+base64: not gzip";
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private InlinePmml() {}

    static byte[] unpack(String packed, int limit) throws ControlMessageException {
        if (packed.length() % 4 != 0 || !BASE64.matcher(packed).matches()) {
            throw new ControlMessageException(NOT_BASE64);
        }
        byte[] gzip = Base64.getDecoder().decode(packed);
        int start = headerLength(gzip);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(gzip, start, gzip.length - start);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[1 << 16];
            long size = 0;
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new ControlMessageException(NOT_GZIP);
                }
                size += n;
                if (size > limit) {
                    throw new ControlMessageException("PMML over " + limit + " bytes once decompressed");
                }
                out.write(buffer, 0, n);
                crc.update(buffer, 0, n);
            }
            int trailer = gzip.length - inflater.getRemaining();
            if (inflater.getRemaining() != 8
                    || littleEndian(gzip, trailer, 4) != crc.getValue()
                    || littleEndian(gzip, trailer + 4, 4) != (size & 0xFFFFFFFFL)) {
                throw new ControlMessageException(NOT_GZIP);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new ControlMessageException(NOT_GZIP);
        } finally {
            inflater.end();
        }
    }

    /** The length of the member's header (RFC 1952), its fields checked as zlib checks them. */
    private static int headerLength(byte[] gzip) throws ControlMessageException {
        if (gzip.length < 10 || (gzip[0] & 0xFF) != 0x1F || (gzip[1] & 0xFF) != 0x8B || gzip[2] != 8) {
            throw new ControlMessageException(NOT_GZIP);
        }
        int flags = gzip[3] & 0xFF;
        if ((flags & 0xE0) != 0) {
            throw new ControlMessageException(NOT_GZIP);
        }
        int at = 10;
        if ((flags & FEXTRA) != 0) {
            at = within(gzip, at + 2) + (int) littleEndian(gzip, at, 2);
        }
        if ((flags & FNAME) != 0) {
            at = afterZero(gzip, at);
        }
        if ((flags & FCOMMENT) != 0) {
            at = afterZero(gzip, at);
        }
        if ((flags & FHCRC) != 0) {
            within(gzip, at + 2);
            CRC32 crc = new CRC32();
            crc.update(gzip, 0, at);
            if ((crc.getValue() & 0xFFFF) != littleEndian(gzip, at, 2)) {
                throw new ControlMessageException(NOT_GZIP);
            }
            at += 2;
        }
        return within(gzip, at);
    }

    private static int afterZero(byte[] gzip, int at) throws ControlMessageException {
        for (int i = at; i < gzip.length; i++) {
            if (gzip[i] == 0) {
                return i + 1;
            }
        }
        throw new ControlMessageException(NOT_GZIP);
    }

    private static int within(byte[] gzip, int at) throws ControlMessageException {
        if (at > gzip.length) {
            throw new ControlMessageException(NOT_GZIP);
        }
        return at;
    }

    private static long littleEndian(byte[] bytes, int at, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[at + i] & 0xFF);
        }
        return value;
    }
}
