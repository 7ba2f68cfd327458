package org.sidekiqsupervisor.jaxrs.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.sidekiqsupervisor.jaxrs.HttpSettings;

/**
 * What stands in front of the dashboard ({@code sidekiq/...}): optional HTTP Basic sign-in, the CSRF token, and
 * the security headers.
 *
 * <ul>
 *   <li>Sign-in: when a {@link HttpSettings.DashboardLogin} is set, every dashboard request needs it; user name and
 *       password are compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken does not
 *       depend on how much of a guess was right.</li>
 *   <li>CSRF: a random token in a cookie ({@code HttpOnly}, {@code SameSite=Strict}, scoped to the dashboard's
 *       path), which every form repeats in a hidden field; a POST is refused unless the two match, and refused
 *       outright when the browser says it came from another site ({@code Sec-Fetch-Site: cross-site}). Stateless,
 *       so it works behind a load balancer with no shared session.</li>
 *   <li>Headers: a Content-Security-Policy with no inline script or style and no framing, {@code nosniff},
 *       {@code Referrer-Policy: same-origin}, and no caching of pages.</li>
 * </ul>
 * Thread-safe.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class DashboardGuard implements ContainerRequestFilter, ContainerResponseFilter {
    static final String COOKIE = "supervisor_csrf";
    static final String FIELD = "csrf_token";
    /** Request property holding this request's CSRF token (the cookie's, or a new one). */
    static final String TOKEN_PROPERTY = DashboardGuard.class.getName() + ".token";
    private static final String NEW_TOKEN_PROPERTY = DashboardGuard.class.getName() + ".new";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] userDigest;
    private final byte[] passwordDigest;

    /** With {@code login} null, the dashboard needs no sign-in (CSRF and the headers still apply). */
    public DashboardGuard(HttpSettings.DashboardLogin login) {
        this.userDigest = login == null || login.user() == null ? null : sha256(login.user());
        this.passwordDigest = login == null ? null : sha256(login.password());
    }

    static boolean isDashboard(String path) {
        return path.equals("sidekiq") || path.startsWith("sidekiq/");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!isDashboard(request.getUriInfo().getPath())) {
            return;
        }
        if (passwordDigest != null && !signedIn(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            request.abortWith(Response.status(401)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"Sidekiq Supervisor\", charset=\"UTF-8\"")
                    .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity("Sign in to see the Sidekiq Supervisor dashboard.\n").build());
            return;
        }
        Cookie cookie = request.getCookies().get(COOKIE);
        String token = cookie == null ? null : cookie.getValue();
        if (token == null || token.length() != 43) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            request.setProperty(NEW_TOKEN_PROPERTY, Boolean.TRUE);
        }
        request.setProperty(TOKEN_PROPERTY, token);
        if ("POST".equals(request.getMethod()) && "cross-site".equals(request.getHeaderString("Sec-Fetch-Site"))) {
            request.abortWith(PostedForms.refused("This form was sent from another site, so it was refused."));
        }
    }

    /** Whether the form's token matches this request's cookie. A POST with a new (absent) cookie never matches. */
    static boolean tokenMatches(ContainerRequestContext request, Map<String, Object> form) {
        Object token = request.getProperty(TOKEN_PROPERTY);
        Object sent = form.get(FIELD);
        if (token == null || request.getProperty(NEW_TOKEN_PROPERTY) != null || !(sent instanceof String text)) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token.toString()), sha256(text));
    }

    private boolean signedIn(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userOk = userDigest == null || MessageDigest.isEqual(userDigest, sha256(decoded.substring(0, colon)));
        boolean passwordOk = MessageDigest.isEqual(passwordDigest, sha256(decoded.substring(colon + 1)));
        return userOk & passwordOk;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
        if (!isDashboard(request.getUriInfo().getPath())) {
            return;
        }
        response.getHeaders().putSingle("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().putSingle("X-Frame-Options", "DENY");
        response.getHeaders().putSingle("Referrer-Policy", "same-origin");
        if (!response.getHeaders().containsKey(HttpHeaders.CACHE_CONTROL)) {
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        if (request.getProperty(NEW_TOKEN_PROPERTY) != null) {
            String path = request.getUriInfo().getBaseUri().getRawPath() + "sidekiq";
            NewCookie cookie = new NewCookie.Builder(COOKIE).value(request.getProperty(TOKEN_PROPERTY).toString()).path(path)
                    .httpOnly(true).secure(overHttps(request))
                    .sameSite(NewCookie.SameSite.STRICT).build();
            response.getHeaders().add(HttpHeaders.SET_COOKIE, cookie);
        }
    }

    /** Whether the browser reached us over https: directly, or through a proxy that terminated TLS and says so. */
    private static boolean overHttps(ContainerRequestContext request) {
        // Trusting the header can only ever add the Secure flag, never take it away.
        return "https".equals(request.getUriInfo().getRequestUri().getScheme())
                || "https".equalsIgnoreCase(request.getHeaderString("X-Forwarded-Proto"));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
