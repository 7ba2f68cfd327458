package org.sidekiqsupervisor.store.jdbi;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;

import javax.sql.DataSource;

/** A data source that adds the SQL of every statement its connections prepare to a list: what a store sends, seen. */
final class RecordedStatements {
    private RecordedStatements() {
    }

    static DataSource recording(DataSource dataSource, List<String> statements) {
        return (DataSource) Proxy.newProxyInstance(RecordedStatements.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(dataSource, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(RecordedStatements.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (c, m, a) -> {
                                if (m.getName().equals("prepareStatement") || m.getName().equals("prepareCall")) {
                                    statements.add((String) a[0]);
                                } else if (m.getName().equals("createStatement")) {
                                    statements.add("(a plain statement)");
                                }
                                return invoke(connection, m, a);
                            });
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
