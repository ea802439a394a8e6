package io.fraudscore.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature engine's, the PMML scorer's, the control protocol's and the live control's packages name no Flink
 * class: they stay plain logic (STYLE.md, Java).
 */
class ArchitectureTest {
    @Test
    void noClassOfTheFeatureEngineReferencesFlink() throws IOException {
        assertEquals(List.of(), classesNamingFlink("features"));
    }

    @Test
    void noClassOfThePmmlScorerReferencesFlink() throws IOException {
        assertEquals(List.of(), classesNamingFlink("scoring"));
    }

    @Test
    void noClassOfTheControlProtocolReferencesFlink() throws IOException {
        assertEquals(List.of(), classesNamingFlink("control"));
    }

    @Test
    void noClassOfTheLiveControlReferencesFlink() throws IOException {
        assertEquals(List.of(), classesNamingFlink("live"));
    }

    private static List<String> classesNamingFlink(String pkg) throws IOException {
        Path classes = Path.of("target", "classes", "io", "fraudscore", pkg);
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(p -> p.toString().endsWith(".class"))
                    .filter(ArchitectureTest::namesFlink)
                    .map(Path::toString)
                    .toList();
        }
    }

    private static boolean namesFlink(Path classFile) {
        try {
            // A class's constant pool holds every class it refers to, as "org/apache/flink/...".
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("org/apache/flink");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
