def load_demo(session, company):
    pass
