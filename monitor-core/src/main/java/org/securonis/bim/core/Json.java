package org.securonis.bim.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper for what we write: UTF-8, with every UTF-16 surrogate written as a {@code \\uXXXX} escape.
 * A name that is not valid UTF-8 carries its bytes as lone surrogates (see {@link Names}); written raw, those
 * would reach a {@code String}-based writer's encoder and come out as '?', losing the name.
 */
public final class Json {

    private static final class SurrogateEscapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return Character.isSurrogate((char) ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    /** For reading and writing small JSON documents (alerts, state, sidecars). */
    public static final ObjectMapper MAPPER = JsonMapper.builder(Streams.factory()).build();

    /**
     * The streaming side alone: JSON parsers and generators with the same escapes, made without an
     * {@link ObjectMapper}, whose start (its date formats load the JDK's locale data) costs a one-shot command a
     * tenth of a CPU-second. A class of its own, so that using it does not start {@link Json#MAPPER}.
     */
    public static final class Streams {
        private static final JsonFactory FACTORY = factory();

        private Streams() {
        }

        /** The shared factory: its parsers read any JSON, its generators write surrogates as escapes. */
        public static JsonFactory shared() {
            return FACTORY;
        }

        static JsonFactory factory() {
            return new JsonFactoryBuilder().characterEscapes(new SurrogateEscapes()).build();
        }
    }

    private Json() {
    }

    /**
     * {@code node} as one line of JSON text. Use this, not {@code JsonNode.toString()}, which writes through
     * Jackson's own mapper without our escapes.
     */
    public static String line(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of JSON nodes always serializes", e);
        }
    }
}
