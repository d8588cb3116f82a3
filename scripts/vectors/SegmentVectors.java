/*
 * Byte vectors for CQL native protocol v5 segment framing, made by Cassandra's
 * own classes (Crc, FrameEncoderCrc, FrameEncoderLZ4), so that the driver's
 * TypeScript encoder and decoder (src/wire/segment/) are checked against the
 * server's code rather than against a reading of the spec.
 *
 * It sits in Cassandra's package only to reach the package-private
 * Crc.crc24 and FrameEncoderCrc.encode; nothing of Cassandra is copied here.
 *
 * Regenerate (writes tests/unit/vectors/segments.json; see scripts/vectors/README.md):
 *   LIB=$(deno run -A scripts/db.ts jars)   # Cassandra 5.0.9 jar directory
 *   javac -cp "$LIB/*" -d /tmp/segvec scripts/vectors/SegmentVectors.java
 *   java -cp "/tmp/segvec:$LIB/*" org.apache.cassandra.net.SegmentVectors \
 *     generate tests/unit/vectors/segments.json
 *
 * Check the driver's own encodings with Cassandra's decoders (FrameDecoderCrc,
 * FrameDecoderLZ4), from a file written by scripts/vectors/ours.ts:
 *   java -cp "/tmp/segvec:$LIB/*" org.apache.cassandra.net.SegmentVectors verify /tmp/ours.json
 */
package org.apache.cassandra.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import org.apache.cassandra.config.DatabaseDescriptor;

public final class SegmentVectors
{
    private static final int MAX = (1 << 17) - 1;

    /** The deterministic payloads, generated the same way by the TypeScript test. */
    static byte[] random(int seed, int length)
    {
        byte[] out = new byte[length];
        int s = seed;
        for (int i = 0; i < length; i++)
        {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            out[i] = (byte) (s >>> 16);
        }
        return out;
    }

    static byte[] text(int length)
    {
        byte[] unit = "SELECT v FROM ks.t WHERE k = ? ".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) out[i] = unit[i % unit.length];
        return out;
    }

    /** Text with every 7th byte random: compressible, but with short, irregular matches. */
    static byte[] mixed(int seed, int length)
    {
        byte[] t = text(length), r = random(seed, length);
        for (int i = 0; i < length; i += 7) t[i] = r[i];
        return t;
    }

    /** A v5 request envelope: 9-byte header (version 5) and a random body. */
    static byte[] envelope(int stream, int opcode, int seed, int bodyLength)
    {
        byte[] body = random(seed, bodyLength);
        ByteBuffer b = ByteBuffer.allocate(9 + bodyLength);
        b.put((byte) 5).put((byte) 0).putShort((short) stream).put((byte) opcode).putInt(bodyLength).put(body);
        return b.array();
    }

    static String hex(byte[] b, int from, int to)
    {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) sb.append(String.format("%02x", b[i] & 0xff));
        return sb.toString();
    }

    static byte[] unhex(String s)
    {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    static byte[] bytes(ByteBuf buf)
    {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    /** One segment by FrameEncoderCrc: header space, payload, trailer space, as its Payload lays out. */
    static byte[] crcSegment(byte[] payload, int from, int to, boolean selfContained)
    {
        ByteBuffer frame = ByteBuffer.allocateDirect(6 + (to - from) + 4);
        frame.position(6);
        frame.put(payload, from, to - from);
        frame.position(0);
        return bytes(FrameEncoderCrc.instance.encode(selfContained, frame));
    }

    /** One segment by FrameEncoderLZ4.fastInstance (the encoder the native transport uses). */
    static byte[] lz4Segment(byte[] payload, int from, int to, boolean selfContained)
    {
        ByteBuffer in = ByteBuffer.allocateDirect(to - from);
        in.put(payload, from, to - from);
        in.flip();
        return bytes(FrameEncoderLZ4.fastInstance.encode(selfContained, in));
    }

    static final StringBuilder json = new StringBuilder();

    /**
     * Writes one vector: `input` described by `spec`, cut at `cuts` (segment
     * ends), every segment self-contained or not. Each segment is stored as its
     * header, its wire payload when it is not the input slice itself (LZ4
     * compressed), and its trailer.
     */
    static void vector(String name, String compression, String spec, byte[] input, int[] cuts, boolean selfContained)
    {
        int hl = compression.equals("lz4") ? 8 : 6;
        json.append("    {\"name\": \"").append(name).append("\", \"compression\": \"").append(compression)
            .append("\", \"input\": ").append(spec).append(", \"segments\": [");
        int from = 0;
        for (int i = 0; i < cuts.length; i++)
        {
            int to = cuts[i];
            byte[] seg = compression.equals("lz4") ? lz4Segment(input, from, to, selfContained)
                                                   : crcSegment(input, from, to, selfContained);
            int wire = seg.length - hl - 4;
            boolean same = wire == to - from && hex(seg, hl, hl + wire).equals(hex(input, from, to));
            json.append(i == 0 ? "\n" : ",\n").append("      {\"from\": ").append(from).append(", \"to\": ").append(to)
                .append(", \"selfContained\": ").append(selfContained)
                .append(", \"header\": \"").append(hex(seg, 0, hl)).append("\"");
            if (!same) json.append(", \"wire\": \"").append(hex(seg, hl, hl + wire)).append("\"");
            json.append(", \"trailer\": \"").append(hex(seg, seg.length - 4, seg.length)).append("\"}");
            from = to;
        }
        json.append("\n    ]},\n");
    }

    static void one(String name, String compression, String spec, byte[] input, boolean selfContained)
    {
        vector(name, compression, spec, input, new int[]{ input.length }, selfContained);
    }

    static String randomSpec(int seed, int length)
    {
        return "{\"random\": {\"seed\": " + seed + ", \"length\": " + length + "}}";
    }

    static String hexSpec(byte[] b)
    {
        return "{\"hex\": \"" + hex(b, 0, b.length) + "\"}";
    }

    static void generate(Path out) throws Exception
    {
        json.append("{\n  \"generator\": \"scripts/vectors/SegmentVectors.java with Cassandra ")
            .append(org.apache.cassandra.utils.FBUtilities.getReleaseVersionString())
            .append(" (org.apache.cassandra.net.Crc, FrameEncoderCrc, FrameEncoderLZ4.fastInstance)\",\n");

        // CRC24 over 3- and 5-byte little-endian headers, as Crc.crc24(long, int) reads them.
        json.append("  \"crc24\": [\n");
        long[] values = { 0L, 1L, 0x1ffffL, 0x3ffffL, 0x20009L, 0x123456L, 0x0L, 0x7ffffffffL, 0x400000009L, 0x0123456789L };
        int[] lengths = { 3, 3, 3, 3, 3, 3, 5, 5, 5, 5 };
        for (int i = 0; i < values.length; i++)
        {
            byte[] b = new byte[lengths[i]];
            for (int k = 0; k < b.length; k++) b[k] = (byte) (values[i] >>> (8 * k));
            json.append("    {\"bytes\": \"").append(hex(b, 0, b.length)).append("\", \"crc\": ")
                .append(Crc.crc24(values[i], lengths[i])).append(i + 1 < values.length ? "},\n" : "}\n");
        }
        json.append("  ],\n");

        // CRC32 as Crc.crc32() primes it (FA 2D 55 CA), over a few payloads.
        json.append("  \"crc32\": [\n");
        String[] specs = { hexSpec(new byte[0]), hexSpec(new byte[]{ 0x61 }),
                           hexSpec("123456789".getBytes(StandardCharsets.US_ASCII)), randomSpec(7, 1000),
                           randomSpec(8, MAX) };
        byte[][] inputs = { new byte[0], new byte[]{ 0x61 }, "123456789".getBytes(StandardCharsets.US_ASCII),
                            random(7, 1000), random(8, MAX) };
        for (int i = 0; i < specs.length; i++)
        {
            CRC32 crc = Crc.crc32();
            crc.update(inputs[i]);
            json.append("    {\"input\": ").append(specs[i]).append(", \"crc\": ").append(crc.getValue())
                .append(i + 1 < specs.length ? "},\n" : "}\n");
        }
        json.append("  ],\n  \"vectors\": [\n");

        byte[] options = { 5, 0, 0, 1, 5, 0, 0, 0, 0 };
        for (String c : new String[]{ "none", "lz4" })
        {
            one(c + ": empty payload, self-contained", c, hexSpec(new byte[0]), new byte[0], true);
            one(c + ": empty payload, not self-contained", c, hexSpec(new byte[0]), new byte[0], false);
            one(c + ": 1 byte", c, hexSpec(new byte[]{ 0x2a }), new byte[]{ 0x2a }, true);
            one(c + ": one OPTIONS envelope", c, hexSpec(options), options, true);
            one(c + ": 300 random bytes, not self-contained", c, randomSpec(3, 300), random(3, 300), false);
            one(c + ": 4096 bytes of text", c, "{\"text\": {\"length\": 4096}}", text(4096), true);
            for (int n : new int[]{ 1000, 20000, MAX })
                one(c + ": " + n + " bytes of mixed text", c, "{\"mixed\": {\"seed\": 11, \"length\": " + n + "}}", mixed(11, n), true);
            one(c + ": 65536 random bytes (length bit 16 set)", c, randomSpec(4, 65536), random(4, 65536), true);
            one(c + ": exactly the maximum, random", c, randomSpec(5, MAX), random(5, MAX), true);
            one(c + ": exactly the maximum, text", c, "{\"text\": {\"length\": " + MAX + "}}", text(MAX), true);
            // A 300 KiB envelope cut into maximum-size non-self-contained segments.
            byte[] big = envelope(7, 0x07, 9, 300 * 1024 - 9);
            vector(c + ": 300 KiB envelope in 3 segments", c,
                   "{\"envelope\": {\"stream\": 7, \"opcode\": 7, \"seed\": 9, \"bodyLength\": " + (300 * 1024 - 9) + "}}",
                   big, new int[]{ MAX, 2 * MAX, big.length }, false);
        }
        json.setLength(json.length() - 2);
        json.append("\n  ]\n}\n");
        Files.writeString(out, json.toString());
    }

    /** Decodes each stream of `file` with Cassandra's decoder and compares payloads and flags. */
    static void verify(Path file) throws Exception
    {
        String text = Files.readString(file);
        Matcher m = Pattern.compile("\\{\"compression\": \"(\\w+)\", \"stream\": \"([0-9a-f]*)\", \"payloads\": \\[([^\\]]*)\\], \"selfContained\": \\[([^\\]]*)\\]\\}").matcher(text);
        int cases = 0, failures = 0;
        while (m.find())
        {
            cases++;
            FrameDecoder decoder = m.group(1).equals("lz4") ? FrameDecoderLZ4.fast(GlobalBufferPoolAllocator.instance)
                                                           : FrameDecoderCrc.create(GlobalBufferPoolAllocator.instance);
            byte[] stream = unhex(m.group(2));
            ByteBuffer in = ByteBuffer.allocateDirect(stream.length);
            in.put(stream).flip();
            List<FrameDecoder.Frame> frames = new ArrayList<>();
            decoder.decode(frames, ShareableBytes.wrap(in));
            String[] payloads = m.group(3).isEmpty() ? new String[0] : m.group(3).replace("\"", "").split(",\\s*");
            String[] flags = m.group(4).isEmpty() ? new String[0] : m.group(4).split(",\\s*");
            StringBuilder why = new StringBuilder();
            if (frames.size() != payloads.length) why.append(frames.size()).append(" frames, expected ").append(payloads.length);
            for (int i = 0; why.length() == 0 && i < frames.size(); i++)
            {
                FrameDecoder.Frame f = frames.get(i);
                if (!(f instanceof FrameDecoder.IntactFrame)) { why.append("frame ").append(i).append(" corrupt"); break; }
                ByteBuffer got = ((FrameDecoder.IntactFrame) f).contents.get();
                byte[] g = new byte[got.remaining()];
                got.duplicate().get(g);
                if (!hex(g, 0, g.length).equals(payloads[i])) why.append("frame ").append(i).append(" payload differs");
                else if (f.isSelfContained != Boolean.parseBoolean(flags[i].trim())) why.append("frame ").append(i).append(" flag differs");
            }
            if (why.length() > 0)
            {
                failures++;
                System.out.println("FAIL case " + cases + " (" + m.group(1) + "): " + why);
            }
        }
        System.out.println("verified " + cases + " streams with Cassandra's decoders, " + failures + " failures");
        if (failures > 0 || cases == 0) System.exit(1);
    }

    public static void main(String[] args) throws Exception
    {
        DatabaseDescriptor.clientInitialization();
        if (args.length == 2 && args[0].equals("generate")) generate(Path.of(args[1]));
        else if (args.length == 2 && args[0].equals("verify")) verify(Path.of(args[1]));
        else
        {
            System.err.println("usage: SegmentVectors generate <out.json> | verify <ours.json>");
            System.exit(2);
        }
    }
}
